// The targets API the service codes against: the stored schema and the targets-file reader.
export * from './target-config';
export { parseTargetsFile, parseTargetsText, TargetsFileError } from './targets-file';
