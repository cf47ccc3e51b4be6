import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MetricsRegistry } from '@lmp/common';
import type { AppConfig } from '@lmp/config';
import { dataSourceOptions } from './data-source-options';
import { ReadReplicas } from './read-replicas';
import { TransactionRunner } from './transaction-runner';

@Global()
@Module({})
export class DatabaseModule {
  /** `readReplicas`: open the DATABASE_REPLICA_URLS pools (the console, which serves the browse reads). */
  static forRoot(config: AppConfig, options: { readReplicas?: boolean } = {}): DynamicModule {
    const urls = options.readReplicas ? (config.databaseReplicaUrls ?? []) : [];
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(config), retryAttempts: 3, retryDelay: 1000 })],
      providers: [
        TransactionRunner,
        {
          provide: ReadReplicas,
          inject: [DataSource, MetricsRegistry],
          useFactory: (dataSource: DataSource, metrics: MetricsRegistry) =>
            new ReadReplicas(dataSource, { urls, maxLagMs: config.replicaMaxLagMs ?? 5000 }, metrics),
        },
      ],
      exports: [TransactionRunner, ReadReplicas, TypeOrmModule],
    };
  }
}
