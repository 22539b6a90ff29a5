// A fresh process doing what Lambda's runtime does on a cold start: load the built bundle, then
// call its handler once. The parent times it from spawn to the message sent here, so the figure
// covers Node starting, the bundle loading and the first file's whole run.
const [bundle, event] = process.argv.slice(2);
const context = {
  awsRequestId: `cold-start-${process.pid}`,
  functionName: 'jumpcloud-onboarding',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:jumpcloud-onboarding',
  memoryLimitInMB: '1024',
  logGroupName: '/aws/lambda/jumpcloud-onboarding',
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 900_000,
};
require(bundle)
  .handler(JSON.parse(event), context)
  .then(
    (result) => process.send({ result }, () => process.exit(0)),
    (error) => process.send({ error: String(error) }, () => process.exit(1)),
  );
