import { Module } from '@nestjs/common';
import { FingerprintsModule } from '../fingerprints/fingerprints.module';
import { GroupsModule } from '../groups/groups.module';
import { ProxiesModule } from '../proxies/proxies.module';
import { TagsModule } from '../tags/tags.module';
import { WindowsModule } from '../windows/windows.module';
import { ImportsController } from './imports.controller';
import { ProxyImport } from './proxy-import';
import { WindowImport } from './window-import';

/** Windows and saved proxies brought in many at once: from CSV, other products' exports and pasted lists. */
@Module({
  imports: [WindowsModule, GroupsModule, TagsModule, FingerprintsModule, ProxiesModule],
  controllers: [ImportsController],
  providers: [WindowImport, ProxyImport],
})
export class ImportsModule {}
