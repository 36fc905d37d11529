import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { GroupsModule } from '../groups/groups.module';
import { ProxiesModule } from '../proxies/proxies.module';
import { TagsModule } from '../tags/tags.module';
import { FingerprintsModule } from '../fingerprints/fingerprints.module';
import { ListPages } from './list-pages';
import { ListTotals } from './list-totals';
import { PageAnchors } from './page-anchors';
import { WindowAccess } from './window-access';
import { WindowDetails } from './window-details';
import { WindowStore } from './window-store';
import { WindowTagEntity } from './window-tag.entity';
import { WindowEntity } from './window.entity';
import { WindowViews } from './window.views';
import { WindowsController } from './windows.controller';
import { WindowsService } from './windows.service';

@Module({
  imports: [
    AccountsModule,
    GroupsModule,
    TagsModule,
    ProxiesModule,
    FingerprintsModule,
    TypeOrmModule.forFeature([WindowEntity, WindowTagEntity]),
  ],
  controllers: [WindowsController],
  providers: [WindowStore, WindowsService, WindowAccess, WindowViews, WindowDetails, ListTotals, PageAnchors, ListPages],
  exports: [WindowStore, WindowsService, WindowAccess, WindowViews],
})
export class WindowsModule {}
