import { EntityManager, EntitySubscriberInterface, EventSubscriber, InsertEvent } from 'typeorm';
import { Customer } from './entities/customer.entity';

/**
 * The trigram index of company names (table `customer_name_trigrams`): for every customer, each
 * distinct run of three characters of its normalised name. A search for text inside names
 * looks up a few of the text's trigrams, intersects their customers and checks only those
 * with LIKE, instead of reading every name of the partner. Written by the subscriber below
 * whenever a customer is inserted, by CustomerRepository when a name changes, and in bulk by
 * the seeder; removed with the customer (foreign key, on delete cascade).
 */
export const TRIGRAM_TABLE = 'customer_name_trigrams';

/** Lower case, accents and punctuation removed, runs of anything else one space. */
export function searchText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The distinct trigrams of a text's normalised form (none when it is shorter than 3). */
export function trigramsOf(text: string): string[] {
  const t = searchText(text);
  const out = new Set<string>();
  for (let i = 0; i + 3 <= t.length; i++) out.add(t.slice(i, i + 3));
  return [...out];
}

/**
 * A few trigrams of a search text, spread over it: any name containing the text contains
 * them all, and fewer posting lists are read than with every trigram of a long text.
 */
export function searchTrigrams(text: string, most = 3): string[] {
  const all = trigramsOf(text);
  if (all.length <= most) return all;
  return Array.from({ length: most }, (_, i) => all[Math.round((i * (all.length - 1)) / (most - 1))]);
}

/** Rows of the trigram table for some customers, as (partner_id, trigram, customer_id) values. */
export function trigramRows(customers: Array<Pick<Customer, 'id' | 'partnerId' | 'companyName'>>): string[][] {
  return customers.flatMap((c) => trigramsOf(c.companyName).map((g) => [c.partnerId, g, c.id]));
}

/** Writes the trigrams of some customers (in the caller's transaction), in statements of 500 rows. */
export async function indexCustomerNames(
  em: EntityManager,
  customers: Array<Pick<Customer, 'id' | 'partnerId' | 'companyName'>>,
): Promise<void> {
  const rows = trigramRows(customers);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await em.query(
      `INSERT INTO ${TRIGRAM_TABLE} (partner_id, trigram, customer_id) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
      chunk.flat(),
    );
  }
}

/** After a rename: the customer's trigrams again. */
export async function reindexCustomerName(
  em: EntityManager,
  customer: Pick<Customer, 'id' | 'partnerId' | 'companyName'>,
): Promise<void> {
  await em.query(`DELETE FROM ${TRIGRAM_TABLE} WHERE customer_id = ?`, [customer.id]);
  await indexCustomerNames(em, [customer]);
}

/**
 * Indexes the name of every customer inserted through TypeORM, in the inserting transaction.
 * What to index is taken before the insert: after a multi-row insert on SQLite, TypeORM hands
 * the subscriber entities whose ids it has reassigned from the rows it read back.
 */
@EventSubscriber()
export class CustomerSearchSubscriber implements EntitySubscriberInterface<Customer> {
  private readonly pending = new WeakMap<object, Pick<Customer, 'id' | 'partnerId' | 'companyName'>>();

  listenTo() {
    return Customer;
  }

  beforeInsert(event: InsertEvent<Customer>): void {
    const c = event.entity;
    if (c?.id && c.partnerId && typeof c.companyName === 'string') {
      this.pending.set(c, { id: c.id, partnerId: c.partnerId, companyName: c.companyName });
    }
  }

  async afterInsert(event: InsertEvent<Customer>): Promise<void> {
    const taken = event.entity ? this.pending.get(event.entity) : undefined;
    if (!taken) return;
    this.pending.delete(event.entity);
    await indexCustomerNames(event.manager, [taken]);
  }
}
