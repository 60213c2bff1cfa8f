import { buildApp } from './build-app.ts';

/** `npx cdk synth` / `npx cdk deploy`: the CRM automation engine, checked by cdk-nag on every synth. */
buildApp();
