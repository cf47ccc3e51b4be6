export * from './audit-actions';
export * from './audit.service';
export * from './audit.module';
