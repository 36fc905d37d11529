import { loadAgentConfig } from './agent-config';

describe("the agent's cloud address", () => {
  const base = { PATH: process.env.PATH, AGENT_DATA_DIR: '/tmp/cos-agent-config-spec' };

  it('is 127.0.0.1:3000 by default', () => {
    expect(loadAgentConfig(base).env.CLOUD_URL).toBe('http://127.0.0.1:3000');
  });

  it('follows CLOUD_PORT, as npm start gives both apps one environment', () => {
    expect(loadAgentConfig({ ...base, CLOUD_PORT: '3917' }).env.CLOUD_URL).toBe('http://127.0.0.1:3917');
  });

  it('is CLOUD_URL when set, whatever CLOUD_PORT says', () => {
    expect(loadAgentConfig({ ...base, CLOUD_PORT: '3917', CLOUD_URL: 'https://cloud.example.com' }).env.CLOUD_URL).toBe(
      'https://cloud.example.com',
    );
  });

  it('ignores a CLOUD_PORT that is no port (the cloud refuses it by name)', () => {
    for (const port of ['0', 'abc', '3000 ', '123456']) {
      expect(loadAgentConfig({ ...base, CLOUD_PORT: port }).env.CLOUD_URL).toBe('http://127.0.0.1:3000');
    }
  });
});
