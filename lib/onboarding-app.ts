/**
 * The CDK app: the onboarding stack, configured from context, checked by cdk-nag's AwsSolutions
 * and Serverless packs. bin/app.ts runs it; the infrastructure tests build it the same way.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { hrPageFromContext } from './hr-page-context';
import { optionsFromContext, stackNameFromContext } from './onboarding-context';
import { OnboardingStack } from './onboarding-stack';

export function createOnboardingApp(props?: AppProps): { app: App; stack: OnboardingStack } {
  const app = new App(props);
  const stack = new OnboardingStack(app, stackNameFromContext(app.node), {
    ...optionsFromContext(app.node),
    hrPage: hrPageFromContext(app.node),
  });
  // Every unacknowledged finding fails synthesis (cdk-nag 3 runs as a policy validation plugin).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
