import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { assertSafeInput, flattenValidationErrors, RateLimitedProblem, ValidationProblem } from '@lmp/common';
import { LoginDto } from './dto';

/**
 * Validates the body (400 with field errors) before passport-local looks at it, since guards
 * run before pipes; then any failure of the strategy is one generic 401.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<{ body: unknown }>();
    // Guards run before the global pipe, so the sign-in body gets the pipe's first check here.
    assertSafeInput(req.body);
    const dto = plainToInstance(LoginDto, req.body ?? {});
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw new ValidationProblem(flattenValidationErrors(errors));
    return (await super.canActivate(ctx)) as boolean;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err instanceof RateLimitedProblem) throw err;
    if (err || !user) throw new UnauthorizedException('invalid credentials');
    return user;
  }
}
