import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { BackgroundTasks } from './background-tasks';
import { MetricsRegistry } from './metrics';

@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, MetricsRegistry, BackgroundTasks],
  exports: [Clock, MetricsRegistry, BackgroundTasks],
})
export class CommonModule {}
