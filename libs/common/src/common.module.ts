import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { MetricsRegistry } from './metrics';

@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, MetricsRegistry],
  exports: [Clock, MetricsRegistry],
})
export class CommonModule {}
