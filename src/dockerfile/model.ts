/**
 * A small typed model of a multi-stage Dockerfile: the generator builds values of these types and `emit()` turns
 * them into text. Nothing here is a string template with placeholders.
 */

/** A word in an ENV value: literal text, or a reference to a variable the frontend expands (`$PATH`). */
export type EnvPart = string | { ref: string };

export interface SecretMount {
  type: 'secret';
  id: string;
  /** Where the secret file appears for this one RUN. */
  target: string;
}
/**
 * A folder or file mounted for one RUN, never part of a layer: from the build context, or with `from` another
 * stage's folder (`rw`: writes are allowed and discarded after the RUN).
 */
export interface BindMount {
  type: 'bind';
  /** A stage name; absent: the build context. */
  from?: string;
  source: string;
  target: string;
  rw?: boolean;
}
/** A scratch folder for one RUN, never part of a layer. */
export interface TmpfsMount {
  type: 'tmpfs';
  target: string;
}
export type Mount = SecretMount | BindMount | TmpfsMount;

export type Instruction =
  | { kind: 'comment'; text: string }
  | { kind: 'env'; vars: { name: string; value: EnvPart[] }[] }
  | { kind: 'workdir'; path: string }
  /** Exec form: `RUN ["argv0", "argv1", ...]`, never a shell string assembled from values. */
  | { kind: 'run'; argv: string[]; mounts: Mount[] }
  | { kind: 'copy'; from?: string; sources: string[]; dest: string }
  | { kind: 'add'; sources: string[]; dest: string };

export interface Stage {
  name: string;
  /** An image reference, another stage's name, or `scratch`. */
  from: string;
  /** Comment lines printed above the FROM line. */
  doc: string[];
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Comment lines at the top of the file. */
  header: string[];
  stages: Stage[];
}
