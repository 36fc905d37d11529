import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * `npm run agent -- mcp`: an MCP server on stdin/stdout for clients that start their servers as
 * processes. It carries every message to the running agent's `/mcp` endpoint with the local token,
 * so the tools live in one place (the agent, which holds the windows) and behave the same either way.
 */
export async function serveStdio(agentUrl: string, token: string): Promise<void> {
  const local = new StdioServerTransport();
  const remote = new StreamableHTTPClientTransport(new URL('/mcp', agentUrl), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const failed = (message: JSONRPCMessage, error: Error) => {
    if ('id' in message && 'method' in message) {
      void local.send({
        jsonrpc: '2.0',
        id: message.id,
        error: { code: -32000, message: `The cos agent at ${agentUrl} did not take the request: ${error.message}` },
      });
    }
  };
  local.onmessage = (message) => void remote.send(message).catch((error: Error) => failed(message, error));
  remote.onmessage = (message) => void local.send(message);
  remote.onerror = (error) => process.stderr.write(`cos agent: ${error.message}\n`);
  await new Promise<void>((resolve) => {
    local.onclose = () => resolve();
    void remote.start().then(() => local.start());
  });
  await remote.close();
}
