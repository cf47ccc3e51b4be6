export * from './customer.repository';
export * from './account.repository';
export * from './license.repository';
export * from './reset-request.repository';
export * from './partner-console.service';
export * from './provisioning.service';
export * from './views';
export * from './tenancy.module';
