import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { CloudConfig } from '../config/cloud-config';
import { WindowsModule } from '../windows/windows.module';
import { BLOB_STORE, BlobStore, FsBlobStore, S3BlobStore } from './blob-store';
import { ProfileBlobs } from './profile-blobs';
import { ProfileVersionStore } from './profile-version-store';
import { ProfileVersionsService } from './profile-versions.service';
import { ProfilesController } from './profiles.controller';

/** The store of profile blobs, or (`space` run-shots) of run screenshots: the same kind of store, never the same keys. */
export function createBlobStore(config: CloudConfig, space: 'profile-blobs' | 'run-shots' = 'profile-blobs'): BlobStore {
  const env = config.env;
  if (env.PROFILE_STORE === 's3') {
    return new S3BlobStore({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET!,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      prefix: space === 'profile-blobs' ? env.S3_PREFIX : env.RUN_SHOTS_S3_PREFIX,
    });
  }
  return new FsBlobStore(join(config.dataDir, space));
}

@Module({
  imports: [WindowsModule],
  controllers: [ProfilesController],
  providers: [
    { provide: BLOB_STORE, inject: [CloudConfig], useFactory: (config: CloudConfig) => createBlobStore(config) },
    ProfileBlobs,
    ProfileVersionStore,
    ProfileVersionsService,
  ],
  exports: [ProfileBlobs],
})
export class ProfilesModule {}
