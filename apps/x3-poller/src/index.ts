// Public surface for the end-to-end suite only (apps/connector-e2e); apps never import each other.
export { AppModule } from './app/app.module';
export { X3PollerEnv } from './app/x3-poller.env';
export { X3PollService } from './polling/x3-poll.service';
export { GoLiveCheckService, formatCheckReport } from './check/go-live-check.service';
export { checkEnv, runGoLiveCheck } from './check/go-live-check.cli';
export { DocumentReadBackService } from './readback/document-readback.service';
