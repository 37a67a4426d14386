// Public surface for the end-to-end suite only (apps/connector-e2e); apps never import each other.
export { AppModule } from './app/app.module';
export { MapperEnv } from './app/mapper.env';
