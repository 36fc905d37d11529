import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, DocumentSignedIn, RequirePermission } from '../access/auth.decorators';
import { SetVariableDto, VariableNameDto, VariableWhereDto } from './dto/variable.dto';
import { VariablesService } from './variables.service';

@ApiTags('variable')
@Controller('variable')
export class VariablesController {
  constructor(private readonly variables: VariablesService) {}

  @Post('list')
  @HttpCode(200)
  @DocumentSignedIn("The team's variables, or a window's own (in scope): names, plain values, and which are secrets (never their values)")
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: VariableWhereDto) {
    return ok(await this.variables.list(auth, dto));
  }

  @Post('set')
  @HttpCode(200)
  @RequirePermission('variable:manage', "Set a team variable, or a window's own (in scope); a secret is sealed and never read back")
  async set(@CurrentAuth() auth: AuthContext, @Body() dto: SetVariableDto) {
    return ok(await this.variables.set(auth, dto));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('variable:manage', "Delete a team variable, or a window's own")
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: VariableNameDto) {
    await this.variables.delete(auth, dto);
    return ok();
  }
}
