import { LicenseNoticesService } from '@lmp/notifications';
import { describeFlows } from '../support/flows';
import { LICENSE_FLOWS } from '../support/license-flow';
import { embeddedStack } from '../support/stacks';

/** The license flows on the embedded default: one process, so its one scanner runs twice at once. */
describeFlows('licenses and expiry notices (embedded mode)', LICENSE_FLOWS, async () => {
  const started = await embeddedStack();
  const service = started.sut.app.get(LicenseNoticesService);
  return { ...started, ctx: { ...started.ctx, scanners: [(asOf: Date) => service.scan(asOf)] } };
});
