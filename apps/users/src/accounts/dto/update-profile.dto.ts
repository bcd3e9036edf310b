import { DisplayName } from './display-name';

export class UpdateProfileDto {
  @DisplayName()
  displayName!: string;
}
