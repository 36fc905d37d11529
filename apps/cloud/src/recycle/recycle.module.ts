import { Module } from '@nestjs/common';
import { WindowsModule } from '../windows/windows.module';
import { RecyclePurger } from './recycle-purger';
import { RecycleController } from './recycle.controller';

/** The recycle bin: its list and restore, and the purge of what stayed there past its time. */
@Module({ imports: [WindowsModule], controllers: [RecycleController], providers: [RecyclePurger] })
export class RecycleModule {}
