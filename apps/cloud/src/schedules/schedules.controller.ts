import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, DocumentSignedIn, RequirePermission } from '../access/auth.decorators';
import { ListSchedulesDto, ScheduleIdDto, SetScheduleDto } from './dto/schedule.dto';
import { SchedulesService } from './schedules.service';

@ApiTags('schedule')
@Controller('schedule')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post('set')
  @HttpCode(200)
  @RequirePermission('task:run', 'Run a task at each tick of a cron pattern in a time zone (a new schedule, or `id` to change one)')
  async set(@CurrentAuth() auth: AuthContext, @Body() dto: SetScheduleDto) {
    return ok(await this.schedules.set(auth, dto));
  }

  @Post('list')
  @HttpCode(200)
  @DocumentSignedIn('Schedules the caller set (all of the team with team:manage), with their next tick and last run')
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListSchedulesDto) {
    return ok(await this.schedules.list(auth, dto));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('task:run', 'Delete a schedule; runs it started stay')
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: ScheduleIdDto) {
    await this.schedules.delete(auth, dto.id);
    return ok();
  }
}
