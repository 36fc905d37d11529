import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, DocumentSignedIn, RequirePermission } from '../access/auth.decorators';
import { CreateTaskDto, ListTasksDto, TaskIdDto, TaskVersionDto, TaskVersionsDto, UpdateTaskDto } from './dto/task.dto';
import { TasksService } from './tasks.service';

@ApiTags('task')
@Controller('task')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post('list')
  @HttpCode(200)
  @DocumentSignedIn("The team's tasks")
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListTasksDto) {
    return ok(await this.tasks.list(auth, dto));
  }

  @Post('detail')
  @HttpCode(200)
  @DocumentSignedIn('One task with its steps and the variables they name')
  async detail(@CurrentAuth() auth: AuthContext, @Body() dto: TaskIdDto) {
    return ok(await this.tasks.detail(auth, dto.id));
  }

  @Post('create')
  @HttpCode(200)
  @RequirePermission('task:manage', 'Save a new task (version 1)')
  async create(@CurrentAuth() auth: AuthContext, @Body() dto: CreateTaskDto) {
    return ok(await this.tasks.create(auth, dto));
  }

  @Post('update')
  @HttpCode(200)
  @RequirePermission('task:manage', 'Save a new version of a task; the one it replaces is kept')
  async update(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateTaskDto) {
    return ok(await this.tasks.update(auth, dto));
  }

  @Post('versions')
  @HttpCode(200)
  @DocumentSignedIn('The versions a task had before its current one, newest first')
  async versions(@CurrentAuth() auth: AuthContext, @Body() dto: TaskVersionsDto) {
    return ok(await this.tasks.versions(auth, dto));
  }

  @Post('restore')
  @HttpCode(200)
  @RequirePermission('task:manage', 'Save an earlier version as the newest')
  async restore(@CurrentAuth() auth: AuthContext, @Body() dto: TaskVersionDto) {
    return ok(await this.tasks.restore(auth, dto));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('task:manage', 'Delete a task and its versions; its runs keep what they ran')
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: TaskIdDto) {
    await this.tasks.delete(auth, dto.id);
    return ok();
  }
}
