import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@cos/server-common';

/** What a model needs to drive windows through the Local API, in the llms.txt convention. */
export const LLMS_TXT = `# cos local agent

> Opens the team's browser windows (each a real Firefox profile with its own fingerprint and proxy) on this desktop and lets programs and AI agents drive them. Every call is POST with a JSON body to http://127.0.0.1:<port> and the header X-Cos-Local-Token (npm run agent -- token); answers are {code, msg, data}: 0 success, 211 bad parameter (msg names the field), 401 token, 404 not found ("Browser not running": open the window first), 409 conflict (a stale ref, a dialog to answer), 422 the page refused (msg says what was waited for), 503 retry.

A window is named in every call by uuid (or id). Calls on a page take \`tab\` (an index from /browser/tabs); without it, the selected tab.

## Windows
- /browser/list {page?, pageSize?, keyword?}: the team's windows
- /browser/open {uuid}: start it here; /browser/close {uuid}: close it (its profile syncs)

## Reading a page
- /browser/snapshot {uuid, interactiveOnly?, depth?, selector?, maxChars?, delta?}: the page as YAML: \`- button "Submit" [ref=e12]\`, links with their address as value (\`- link "Docs" [ref=e3]: /docs\`), fields with their values and states ([checked], [disabled], [expanded]), frames inline (refs like f1e7). Refs stay valid until the page navigates. interactiveOnly: only what can be acted on (smallest). delta: only what changed since the last snapshot of the tab. truncated: true when cut at maxChars.
- /browser/get {uuid, ref | selector, what: text|html|value|attribute|count|visible|enabled|checked|editable|box, name?}

## Acting
- /browser/act {uuid, ref | selector, action, ...}: click, dblclick, hover, focus, type {text}, fill {text}, press {key: "Enter", "Control+A"}, select {values}, check, uncheck, upload {files: [{name, data (base64)}]}, drag {to: {ref}}. Waits up to timeoutMs (5000) for the element to be visible, enabled and not covered. A stale ref answers 409: take a new snapshot.
- /browser/fill {uuid, fields: [{ref | selector, value}]}: text, true/false for checkboxes, an option for selects
- /browser/navigate {uuid, url}, /browser/eval {uuid, code}, /browser/screenshot {uuid}
- /browser/mouse {uuid, action: move|down|up|click|wheel, x, y, ...}, /browser/keyboard {uuid, action: down|up|press|type, key | text}
- /browser/tabs {uuid, action: list|new|select|close, index?, url?}

## What the window keeps
- /browser/logs {uuid, kinds?: [console, errors, network, dialogs], since?, limit?, clear?}, /browser/logs/clear
- /browser/network/bodies {uuid, enabled, maxBytes?}, then /browser/network/body {uuid, requestId, part?: request|response}
- /browser/downloads {uuid}, /browser/downloads/fetch {uuid, downloadId}: the file's bytes
- /browser/dialogs/policy {uuid, policy: dismiss|accept|manual, promptText?}; with manual, /browser/dialogs/handle {uuid, accept, promptText?}
- /browser/storage/get|set|delete|clear {uuid, kind: local|session, origin?, key? | entries? | keys?}

## MCP
The same over the Model Context Protocol: Streamable HTTP at /mcp (Authorization: Bearer <local token>), or \`npm run agent -- mcp\` on stdio. Tools: windows_list, windows_create, windows_open, windows_close, browser_navigate, browser_snapshot, browser_click, browser_hover, browser_drag, browser_type, browser_fill_form, browser_select_option, browser_press_key, browser_wait_for, browser_take_screenshot, browser_console_messages, browser_network_requests, browser_tabs, browser_evaluate, browser_handle_dialog; each takes \`window\` (uuid or id).
`;

@Controller()
export class LlmsController {
  /** Public like /health: it describes the API and holds nothing of the user's. */
  @Public()
  @Get('llms.txt')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  llms(): string {
    return LLMS_TXT;
  }
}
