import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { SafeExceptionFilter } from '../errors/safe-exception.filter';
import { createValidationPipe } from '../validation/validation.pipe';

/** Registers, for the whole service, the strict validation pipe and the filter that keeps errors safe. */
@Module({
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: SafeExceptionFilter },
  ],
})
export class HttpSecurityModule {}
