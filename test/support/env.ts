// Runs before each test file: the defaults every test app starts from.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
process.env.AUTH_JWT_SECRET = 'test-secret-for-jwt-signing-0123456789';
process.env.CREDENTIALS_ENCRYPTION_KEY = 'test:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
