import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import { insertRows, MfaMethod, newId, RecoveryCode } from '@lmp/database';

/** A user's second factors and recovery codes. Every query names the user: ids of others find nothing. */
@Injectable()
export class MfaRepository {
  constructor(private readonly dataSource: DataSource) {}

  private em(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  /** Every method of the user, pending ones included, oldest first. */
  list(userId: string, em?: EntityManager): Promise<MfaMethod[]> {
    return this.em(em).find(MfaMethod, { where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  confirmed(userId: string, em?: EntityManager): Promise<MfaMethod[]> {
    return this.em(em).find(MfaMethod, {
      where: { userId, confirmedAt: Not(IsNull()) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  find(userId: string, methodId: string, em?: EntityManager): Promise<MfaMethod | null> {
    return this.em(em).findOneBy(MfaMethod, { userId, id: methodId });
  }

  async insert(em: EntityManager, method: MfaMethod): Promise<void> {
    await insertRows(em, MfaMethod, method);
  }

  async update(em: EntityManager, userId: string, methodId: string, changes: Partial<MfaMethod>): Promise<void> {
    await em.update(MfaMethod, { userId, id: methodId }, changes);
  }

  /**
   * Records a used TOTP step unless the same or a later one was recorded meanwhile: of two
   * requests with one code, only one gets `true`.
   */
  async claimStep(
    em: EntityManager,
    userId: string,
    methodId: string,
    step: number,
    previous: number | null,
  ): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(MfaMethod)
      .set({ lastUsedStep: step })
      .where('id = :methodId AND user_id = :userId', { methodId, userId })
      .andWhere(previous === null ? 'last_used_step IS NULL' : 'last_used_step = :previous', { previous })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /**
   * Claims the right to send a new code: records the send time unless a code was sent after
   * `notAfter`. Of parallel requests, one gets `true`.
   */
  async claimSend(em: EntityManager, userId: string, methodId: string, now: Date, notAfter: Date): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(MfaMethod)
      .set({ codeSentAt: now })
      .where('id = :methodId AND user_id = :userId', { methodId, userId })
      .andWhere('(code_sent_at IS NULL OR code_sent_at <= :notAfter)', { notAfter })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  async setDefault(em: EntityManager, userId: string, methodId: string): Promise<void> {
    await em.update(MfaMethod, { userId, isDefault: true, id: Not(methodId) }, { isDefault: false });
    await em.update(MfaMethod, { userId, id: methodId }, { isDefault: true });
  }

  async remove(em: EntityManager, userId: string, methodIds: string[]): Promise<void> {
    if (methodIds.length) await em.delete(MfaMethod, { userId, id: In(methodIds) });
  }

  async removeAll(em: EntityManager, userId: string): Promise<void> {
    await em.delete(MfaMethod, { userId });
    await em.delete(RecoveryCode, { userId });
  }

  /** Voids the user's recovery codes and stores new ones (their HMACs). */
  async replaceRecoveryCodes(em: EntityManager, userId: string, hashes: string[], now: Date): Promise<void> {
    await em.delete(RecoveryCode, { userId });
    await em.insert(
      RecoveryCode,
      hashes.map((codeHash) => ({ id: newId(), userId, codeHash, createdAt: now, usedAt: null })),
    );
  }

  unusedRecoveryCodes(userId: string, em?: EntityManager): Promise<RecoveryCode[]> {
    return this.em(em).find(RecoveryCode, { where: { userId, usedAt: IsNull() } });
  }

  countRecoveryCodesLeft(userId: string, em?: EntityManager): Promise<number> {
    return this.em(em).count(RecoveryCode, { where: { userId, usedAt: IsNull() } });
  }

  /** Marks a code used unless it was used meanwhile: of two requests with one code, one wins. */
  async spendRecoveryCode(em: EntityManager, userId: string, codeId: string, now: Date): Promise<boolean> {
    const res = await em.update(RecoveryCode, { id: codeId, userId, usedAt: IsNull() }, { usedAt: now });
    return (res.affected ?? 0) === 1;
  }
}
