import { DataSource } from 'typeorm';
import { MemberGroupEntity } from './accounts/member-group.entity';
import { TeamEntity } from './accounts/team.entity';
import { UserEntity } from './accounts/user.entity';
import { ApiTokenEntity } from './auth/api-token.entity';
import { SessionEntity } from './auth/session.entity';
import { dataSourceOptions } from './database/data-source';
import { GroupEntity } from './groups/group.entity';
import { SavedProxyEntity } from './proxies/saved-proxy.entity';
import { TagEntity } from './tags/tag.entity';
import { WindowTagEntity } from './windows/window-tag.entity';
import { WindowEntity } from './windows/window.entity';

/**
 * For the TypeORM CLI only (`npx typeorm-ts-node-commonjs -d apps/cloud/src/migration-data-source.ts
 * migration:show`): the one explicit list of entities. The app registers each with its feature module.
 */
export default new DataSource(
  dataSourceOptions({ url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' }, undefined, [
    TeamEntity,
    UserEntity,
    MemberGroupEntity,
    SessionEntity,
    ApiTokenEntity,
    GroupEntity,
    TagEntity,
    WindowEntity,
    WindowTagEntity,
    SavedProxyEntity,
  ]),
);
