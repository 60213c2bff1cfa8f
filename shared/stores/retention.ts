/** Days a finished run's execution (and its claim) is kept before DynamoDB's TTL removes it. */
export const DEFAULT_RETENTION_DAYS = 90;
