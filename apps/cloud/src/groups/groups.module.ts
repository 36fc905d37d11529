import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { GroupsController } from './groups.controller';
import { GroupEntity } from './group.entity';
import { GroupsService } from './groups.service';

@Module({ imports: [AuthModule, TypeOrmModule.forFeature([GroupEntity])], controllers: [GroupsController], providers: [GroupsService] })
export class GroupsModule {}
