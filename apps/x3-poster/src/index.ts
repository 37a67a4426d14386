// Public surface for the end-to-end suite only (apps/connector-e2e); apps never import each other.
export { AppModule } from './app/app.module';
export { X3PosterEnv } from './app/x3-poster.env';
