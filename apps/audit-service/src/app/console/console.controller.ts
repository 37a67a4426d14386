import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';

/** The only files served, by exact name (a Map: "constructor", "__proto__" or "../x" are simply not in it). */
const FILES = new Map<string, string>([
  ['index.html', 'text/html; charset=utf-8'],
  ['console.js', 'text/javascript; charset=utf-8'],
  ['console.css', 'text/css; charset=utf-8'],
]);

/** src/console in source and tests; dist/apps/audit-service/console after a webpack build (assets). */
export function consoleDir(): string {
  const candidates = [join(__dirname, '..', '..', 'console'), join(__dirname, 'console')];
  const found = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!found) throw new Error(`operator console files not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * The operator console: three static files, no build step. The page itself holds no data; every call it makes
 * goes to /api with the token the operator entered (kept in sessionStorage only).
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly dir = consoleDir();
  private readonly cache = new Map<string, Buffer>();

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get(':file')
  file(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    const type = FILES.get(file);
    if (!type) throw new NotFoundException({ statusCode: 404, message: 'no such console file' });
    let body = this.cache.get(file);
    if (!body) {
      body = readFileSync(join(this.dir, file));
      this.cache.set(file, body);
    }
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    );
    res.send(body);
  }
}
