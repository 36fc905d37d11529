import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import type { Permission } from '@cos/contracts';
import type { AuthContext } from './auth-context';

export const REQUIRED_PERMISSION = 'cos:requiredPermission';

/**
 * What a route needs: one permission, a single/batch pair chosen by how many `ids` the body
 * names, or a function of the body (e.g. create vs edit on `/browser/update`).
 */
export type PermissionRequirement =
  Permission | { single: Permission; batch: Permission } | ((body: Record<string, unknown>) => Permission);

function describe(requirement: PermissionRequirement): string {
  if (typeof requirement === 'string') return `Requires \`${requirement}\`.`;
  if (typeof requirement === 'object') {
    return `Requires \`${requirement.single}\` for one window, \`${requirement.batch}\` for several.`;
  }
  return 'Permission depends on the body, see the description.';
}

export function RequirePermission(requirement: PermissionRequirement, summary?: string) {
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, requirement),
    ApiBearerAuth(),
    ApiOperation({ summary, description: describe(requirement) }),
  );
}

/**
 * The OpenAPI text of a route any signed-in member may call. It gates nothing: every route needs
 * a signed-in caller unless marked `@Public()` (AuthenticationGuard), and `@RequirePermission` adds the rest.
 */
export function DocumentSignedIn(summary?: string) {
  return applyDecorators(ApiBearerAuth(), ApiOperation({ summary, description: 'Requires a logged-in user.' }));
}

export const CurrentAuth = createParamDecorator((_: unknown, context: ExecutionContext): AuthContext => {
  return context.switchToHttp().getRequest<{ user: AuthContext }>().user;
});
