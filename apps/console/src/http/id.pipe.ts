import { Injectable, PipeTransform } from '@nestjs/common';
import { NotFoundProblem } from '@lmp/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are opaque: a malformed one is answered like an unknown one, 404. */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !UUID.test(value)) throw new NotFoundProblem();
    return value.toLowerCase();
  }
}
