import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { GroupsController } from './groups.controller';
import { GroupEntity } from './group.entity';
import { GroupStore } from './group-store';
import { GroupsService } from './groups.service';

@Module({
  imports: [AuthModule, TypeOrmModule.forFeature([GroupEntity])],
  controllers: [GroupsController],
  providers: [GroupStore, GroupsService],
  exports: [GroupStore],
})
export class GroupsModule {}
