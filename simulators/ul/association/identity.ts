/** This product's identity in A-ASSOCIATE PDUs (PS3.7 D.3.3.2): a 2.25 UUID-derived UID and a version name of 16 characters or fewer. */
export const IMPLEMENTATION_CLASS_UID = '2.25.207595914356436316563183946405384893441';
export const IMPLEMENTATION_VERSION_NAME = 'QR_HARNESS_010';
