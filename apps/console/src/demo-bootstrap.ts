import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '@lmp/config';
import { ProvisioningService } from '@lmp/tenancy';

export interface DemoSignIn {
  url: string;
  email: string;
  password: string;
}

/**
 * On the first embedded start, creates a demo partner with customers to browse, and keeps its
 * sign-in in `<dataDir>/demo-sign-in.json` (mode 600) so that every start can print it.
 */
@Injectable()
export class DemoBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');
  signIn?: DemoSignIn;

  constructor(
    private readonly provisioning: ProvisioningService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoOnFirstStart) return;
    const file = join(this.config.dataDir, 'demo-sign-in.json');
    const result = await this.provisioning.seedDemo({ customers: 60, accountsPerCustomer: 4 });
    if (result.created && result.adminPassword) {
      const signIn = {
        url: `${this.config.publicUrl}/login`,
        email: result.adminEmail,
        password: result.adminPassword,
      };
      writeFileSync(file, JSON.stringify(signIn, null, 2), { mode: 0o600 });
      this.logger.log({ customers: result.customers, accounts: result.accounts }, 'demo partner created');
    }
    // The sign-in page of this start, not of the start that saved the file (PORT may differ).
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoSignIn;
      this.signIn = { ...saved, url: `${this.config.publicUrl}/login` };
    }
  }
}
