import { Entity, PrimaryColumn } from 'typeorm';

/** The groups a member with `scope: "groups"` may see and change. */
@Entity('member_groups')
export class MemberGroupEntity {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId: number;

  @PrimaryColumn({ name: 'group_id', type: 'integer' })
  groupId: number;
}
