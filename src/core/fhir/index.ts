export { renderFhirReport, fhirDateTime, systemUri, type FhirRenderOptions, type Json } from './render.js';
