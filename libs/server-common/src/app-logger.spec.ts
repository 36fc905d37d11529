import { AppLogger } from './app-logger';

describe('AppLogger', () => {
  const printed = (logger: AppLogger, context: string) => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      logger.log('Mapped {/browser/list, POST} route', context);
      return write.mock.calls.map(([chunk]) => String(chunk)).join('');
    } finally {
      write.mockRestore();
    }
  };

  it("leaves Nest's wiring lines out at the default level, and shows them at debug", () => {
    for (const context of ['RouterExplorer', 'RoutesResolver', 'InstanceLoader']) {
      expect(printed(new AppLogger('log'), context)).toBe('');
      expect(printed(new AppLogger('debug'), context)).toContain('Mapped {/browser/list, POST} route');
    }
    expect(printed(new AppLogger('log'), 'Cloud')).toContain('Mapped {/browser/list, POST} route');
    expect(printed(new AppLogger('warn'), 'Cloud')).toBe('');
  });
});
