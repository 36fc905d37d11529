import { Entity, PrimaryColumn } from 'typeorm';

@Entity('window_tags')
export class WindowTagEntity {
  @PrimaryColumn({ name: 'window_id', type: 'integer' })
  windowId: number;

  @PrimaryColumn({ name: 'tag_id', type: 'integer' })
  tagId: number;
}
