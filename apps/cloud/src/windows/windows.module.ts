import { Module } from '@nestjs/common';
import { SecretBox } from '../crypto/secret-box';
import { FingerprintsModule } from '../fingerprints/fingerprints.module';
import { LaunchController } from '../launch/launch.controller';
import { LaunchService } from '../launch/launch.service';
import { RecyclePurger } from '../recycle/recycle-purger';
import { RecycleController } from '../recycle/recycle.controller';
import { ListPages } from './list-pages';
import { ListTotals } from './list-totals';
import { PageAnchors } from './page-anchors';
import { WindowAccess } from './window-access';
import { WindowDetails } from './window-details';
import { WindowViews } from './window.views';
import { WindowsController } from './windows.controller';
import { WindowsService } from './windows.service';

@Module({
  imports: [FingerprintsModule],
  controllers: [WindowsController, RecycleController, LaunchController],
  providers: [
    WindowsService,
    WindowAccess,
    WindowViews,
    WindowDetails,
    SecretBox,
    RecyclePurger,
    LaunchService,
    ListTotals,
    PageAnchors,
    ListPages,
  ],
  exports: [WindowsService, WindowAccess, WindowViews, SecretBox],
})
export class WindowsModule {}
