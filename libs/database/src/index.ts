export * from './entities';
export * from './migrations';
export * from './data-source-options';
export * from './transaction-runner';
export * from './database.module';
export * from './ids';
export * from './customer-search';
export * from './read-replicas';
