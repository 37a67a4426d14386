import { IsISO8601, IsObject, IsOptional, IsString } from 'class-validator';

export const CHECKPOINT = 'connector.checkpoint';

/** A pull checkpoint or watermark (key tenant:stream), kept on a compacted topic so apps stay stateless. */
export class CheckpointV1 {
  @IsString() stream!: string;
  /** Continuation token, update stamp or date, as the stream defines it. */
  @IsString() position!: string;
  @IsISO8601() updatedAt!: string;
  /** Stream-specific state, e.g. ids seen at the inclusive boundary, bill revision hashes. */
  @IsOptional() @IsObject() state?: Record<string, unknown>;
}
