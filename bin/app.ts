#!/usr/bin/env node
/** `npx cdk synth` / `npx cdk deploy` run this (cdk.json: "app"). Context parameters: README, Deploy. */
import { createOnboardingApp } from '../lib/onboarding-app';

createOnboardingApp();
