export * from './problem';
export * from './problem.filter';
export * from './validation';
export * from './pagination';
export * from './clock';
export * from './mutex';
export * from './common.module';
export * from './logging';
