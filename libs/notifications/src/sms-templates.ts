import { SmsTemplate } from './jobs';

/** The props each text-message template renders (text only, short). */
export interface SmsTemplateProps {
  [SmsTemplate.VerificationCode]: { code: string; minutes: number };
}
