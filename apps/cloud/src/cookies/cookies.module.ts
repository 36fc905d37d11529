import { Module } from '@nestjs/common';
import { WindowsModule } from '../windows/windows.module';
import { WindowCookiesController } from './window-cookies.controller';
import { WindowCookiesService } from './window-cookies.service';

@Module({
  imports: [WindowsModule],
  controllers: [WindowCookiesController],
  providers: [WindowCookiesService],
})
export class CookiesModule {}
