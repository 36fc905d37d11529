import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { join } from 'node:path';
import { AgentHarness, startAgent } from '../support/agent-app';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, registerOwner } from '../support/factories';
import { InspectSite, startInspectSite } from '../support/inspect-site';

jest.setTimeout(240_000);

const ROOT = join(__dirname, '..', '..');
type Text = { type: string; text?: string; data?: string; mimeType?: string };
const text = (result: unknown) => ((result as { content?: Text[] }).content ?? []).map((c) => c.text ?? '').join('\n');
const refOf = (snapshot: string, line: string) => {
  const found = snapshot.split('\n').find((l) => l.includes(line));
  const ref = found ? /\[ref=([a-z0-9]+)\]/.exec(found)?.[1] : undefined;
  if (!ref) throw new Error(`no ref on a line with ${line} in:\n${snapshot}`);
  return ref;
};

const PAGE_TOOLS = [
  'browser_navigate',
  'browser_snapshot',
  'browser_click',
  'browser_hover',
  'browser_drag',
  'browser_type',
  'browser_fill_form',
  'browser_select_option',
  'browser_press_key',
  'browser_wait_for',
  'browser_take_screenshot',
  'browser_console_messages',
  'browser_network_requests',
  'browser_tabs',
  'browser_evaluate',
  'browser_handle_dialog',
];

describe('the MCP server: Streamable HTTP on the agent, stdio through the CLI', () => {
  let cloud: CloudHarness;
  let agent: AgentHarness;
  let owner: Account;
  let site: InspectSite;
  const http = async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${agent.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${agent.token}` } },
      }),
    );
    return client;
  };

  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    site = await startInspectSite();
    agent = await startAgent({
      cloudUrl: cloud.url,
      env: { AGENT_MCP_MAX_TOKENS: '2000', AGENT_MCP_ALLOWED_ORIGINS: 'http://localhost:6274' },
    });
    await agent.login(owner.email, owner.password);
  });
  afterAll(async () => {
    await agent.post('/browser/close/all').catch(() => undefined);
    await agent.close();
    await site.close();
    await cloud.close();
  });

  it('over HTTP: lists the tools, and runs create → open → navigate → snapshot → type → click → read → close', async () => {
    const client = await http();
    try {
      const tools = (await client.listTools()).tools;
      expect(tools.map((t) => t.name).sort()).toEqual(
        [...PAGE_TOOLS, 'windows_close', 'windows_create', 'windows_list', 'windows_open'].sort(),
      );
      // Playwright MCP's argument shapes, each with the window.
      const click = tools.find((t) => t.name === 'browser_click')!;
      expect(Object.keys(click.inputSchema.properties ?? {}).sort()).toEqual([
        'button',
        'doubleClick',
        'element',
        'modifiers',
        'ref',
        'window',
      ]);
      expect(click.inputSchema.required?.sort()).toEqual(['element', 'ref', 'window']);

      const created = text(await client.callTool({ name: 'windows_create', arguments: { name: 'agent window' } }));
      const uuid = /uuid=([0-9a-f-]{36})/.exec(created)![1];
      expect(text(await client.callTool({ name: 'windows_open', arguments: { window: uuid } }))).toMatch(/^Window .* is open \(pid \d+\)$/);
      expect(text(await client.callTool({ name: 'windows_list', arguments: {} }))).toContain(`uuid=${uuid}`);

      const navigated = text(await client.callTool({ name: 'browser_navigate', arguments: { window: uuid, url: `${site.url}/form` } }));
      expect(navigated).toContain(`- URL: ${site.url}/form`);
      const snapshot = text(await client.callTool({ name: 'browser_snapshot', arguments: { window: uuid } }));
      expect(snapshot).toContain('- textbox "Email" [required] [ref=');
      const typed = text(
        await client.callTool({
          name: 'browser_type',
          arguments: { window: uuid, element: 'Email field', ref: refOf(snapshot, '"Email"'), text: 'mcp@x.test' },
        }),
      );
      // After an action: only what changed.
      expect(typed).toContain('### Snapshot: what changed since the last one (1 line(s) changed, 1 removed)');
      expect(typed).toMatch(/textbox "Email" \[required\] \[ref=e\d+\]: mcp@x\.test/);
      expect(typed).not.toContain('Next page');
      const clicked = text(
        await client.callTool({ name: 'browser_click', arguments: { window: uuid, element: 'Submit', ref: refOf(snapshot, '"Submit"') } }),
      );
      expect(clicked).toContain('- paragraph: Sent mcp@x.test');

      const waited = await client.callTool({ name: 'browser_wait_for', arguments: { window: uuid, text: 'Sent mcp@x.test' } });
      expect(waited.isError).toBeFalsy();
      const evaluated = text(
        await client.callTool({ name: 'browser_evaluate', arguments: { window: uuid, function: '() => document.title' } }),
      );
      expect(evaluated).toBe('### Result\n"Form"');
      const byRef = await client.callTool({
        name: 'browser_evaluate',
        arguments: { window: uuid, function: '(el) => el.value', element: 'Email', ref: refOf(snapshot, '"Email"') },
      });
      expect(text(byRef)).toBe('### Result\n"mcp@x.test"');
      const shot = await client.callTool({
        name: 'browser_take_screenshot',
        arguments: { window: uuid, type: 'jpeg', ref: refOf(snapshot, '"Submit"') },
      });
      expect((shot.content as Text[])[0]).toMatchObject({ type: 'image', mimeType: 'image/jpeg' });

      await client.callTool({ name: 'browser_navigate', arguments: { window: uuid, url: `${site.url}/logs` } });
      await client.callTool({ name: 'browser_wait_for', arguments: { window: uuid, time: 0.5 } });
      expect(text(await client.callTool({ name: 'browser_console_messages', arguments: { window: uuid, level: 'warning' } }))).toMatch(
        /^\[warn\] careful @ .*\n\[error\] bad thing @ .*\n\[pageerror\] .*uncaught boom/,
      );
      const requests = text(await client.callTool({ name: 'browser_network_requests', arguments: { window: uuid } }));
      expect(requests).toContain(`[GET] ${site.url}/api/missing => [404] Not Found`);
      expect(requests).toContain(`[POST] ${site.url}/api/echo => [200] OK`);
      expect(text(await client.callTool({ name: 'browser_tabs', arguments: { window: uuid, action: 'list' } }))).toBe(
        `- 0: (current) [got true] (${site.url}/logs)`,
      );

      // A stale ref and a window that is not open are the tool's errors, not the connection's.
      const stale = await client.callTool({
        name: 'browser_click',
        arguments: { window: uuid, element: 'Submit', ref: refOf(snapshot, '"Submit"') },
      });
      expect(stale).toMatchObject({ isError: true });
      expect(text(stale)).toMatch(/^Error 409: Ref e\d+ is stale/);
      // Every answer is capped (2,000 tokens here), with a note.
      await client.callTool({ name: 'browser_navigate', arguments: { window: uuid, url: `${site.url}/long` } });
      const long = text(await client.callTool({ name: 'browser_snapshot', arguments: { window: uuid } }));
      expect(long.length).toBeLessThanOrEqual(8000);
      expect(long).toMatch(/snapshot cut; ask for interactiveOnly, a selector or less depth|\[Answer cut: /);

      expect(text(await client.callTool({ name: 'windows_close', arguments: { window: uuid } }))).toBe(`Window ${uuid} closed`);
      const gone = await client.callTool({ name: 'browser_snapshot', arguments: { window: uuid } });
      expect(gone).toMatchObject({ isError: true });
      expect(text(gone)).toBe('Error 404: Browser not running');
    } finally {
      await client.close();
    }
  });

  it('refuses a request without the local token, with a wrong one, and from a foreign Origin', async () => {
    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${agent.url}/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
        body: initialize,
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="cos-agent"');
    expect((await post({ Authorization: 'Bearer wrong' })).status).toBe(401);
    // The X-Cos-Local-Token header alone is not the MCP endpoint's credential.
    expect((await post({ 'X-Cos-Local-Token': agent.token })).status).toBe(401);
    // A request with a web page's Origin gets no answer at all, the token notwithstanding: a page
    // cannot even learn that the agent runs here.
    await expect(post({ Authorization: `Bearer ${agent.token}`, Origin: 'https://evil.example' })).rejects.toThrow('fetch failed');
    // An origin the user allowed (a browser-based MCP client) reaches /mcp with the token, and nothing else.
    expect((await post({ Authorization: `Bearer ${agent.token}`, Origin: 'http://localhost:6274' })).status).toBe(200);
    expect((await post({ Origin: 'http://localhost:6274' })).status).toBe(401);
    await expect(fetch(`${agent.url}/health`, { headers: { Origin: 'http://localhost:6274' } })).rejects.toThrow('fetch failed');
    const ok = await post({ Authorization: `Bearer ${agent.token}` });
    expect(ok.status).toBe(200);
    expect((await ok.json()).result.serverInfo).toMatchObject({ name: 'cos-agent' });
    expect((await fetch(`${agent.url}/mcp`, { headers: { Authorization: `Bearer ${agent.token}` } })).status).toBe(405);

    const llms = await fetch(`${agent.url}/llms.txt`);
    expect(llms.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await llms.text()).toContain('/browser/snapshot {uuid, interactiveOnly?');
  });

  it('over stdio: `npm run agent -- mcp` carries the tools to the running agent', async () => {
    const port = new URL(agent.url).port;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, 'apps/local-agent/src/cli.ts'), 'mcp'],
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), AGENT_DATA_DIR: agent.dataDir, AGENT_PORT: port, CLOUD_URL: cloud.url },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(PAGE_TOOLS));
      const created = text(await client.callTool({ name: 'windows_create', arguments: { name: 'stdio window' } }));
      const id = Number(/id=(\d+)/.exec(created)![1]);
      await client.callTool({ name: 'windows_open', arguments: { window: id } });
      await client.callTool({ name: 'browser_navigate', arguments: { window: id, url: `${site.url}/table` } });
      expect(text(await client.callTool({ name: 'browser_snapshot', arguments: { window: String(id) } }))).toContain('- cell "Alice"');
      await client.callTool({ name: 'windows_close', arguments: { window: id } });
    } finally {
      await client.close();
    }
  });
});
