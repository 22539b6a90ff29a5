/**
 * Acknowledgements for resources CDK adds on our behalf and does not let us configure. Findings
 * on the stack's own resources are acknowledged next to the resource that causes them.
 */
import { type Stack, Validations } from 'aws-cdk-lib';

/** CDK's singleton function that applies the drop bucket's event notifications at deploy time. */
const BUCKET_NOTIFICATIONS_HANDLER = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** Call after every `addEventNotification`: the handler exists only once one was added. */
export function acknowledgeCdkInternals(stack: Stack): void {
  const handler = stack.node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER);
  if (handler === undefined) return;
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      `${BUCKET_NOTIFICATIONS_HANDLER} is CDK's deploy-time handler that sets the drop bucket's notifications; ` +
      'CDK gives its role only the AWS managed basic execution policy (log writing) and offers no way to replace it. ' +
      'Its S3 permission is scoped to the drop bucket.',
  });
}
