/** Nothing global yet: suites that need DynamoDB Local start it themselves (test/support/dynamodb-local.ts). */
export default function setup(): void {}
