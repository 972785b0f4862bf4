// One long-running protocol service on Fargate, built from its Dockerfile (which only copies the
// esbuild bundles from dist/). The base of SmtpService and MailAccessService: their ports, image,
// environment and grants differ; drain, health, logging and autoscaling are the same.
import { Duration, IgnoreMode, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONNECTION_METRIC } from '../../core/log/metrics.js';

export interface ServicePort {
  /** Listener name, e.g. `smtp`, `imaps`. */
  readonly name: string;
  /** Port the container listens on (unprivileged; the NLB maps the well-known port onto it). */
  readonly containerPort: number;
}

/** What both services take from the stack. */
export interface SharedServiceProps {
  readonly cluster: ecs.ICluster;
  readonly projectRoot: string;
  /** Common variables (storage, queues, certificate); each service adds its ports. */
  readonly environment: Readonly<Record<string, string>>;
  readonly subnets: ec2.SubnetSelection;
  readonly assignPublicIp: boolean;
  /** Default: 512 (0.5 vCPU). */
  readonly cpu?: number;
  /** Default: 1024 MiB. */
  readonly memoryLimitMiB?: number;
  /** Default: 1 task; set 2 for a task per zone. */
  readonly minTasks?: number;
  /** Default: 10 tasks. */
  readonly maxTasks?: number;
  /** Target average CPU. Default: 60 %. */
  readonly targetCpuPercent?: number;
  /** Target open sessions per task. Default: 1000. */
  readonly targetConnectionsPerTask?: number;
  /** SIGTERM → SIGKILL grace for draining sessions. Default: 120 s (Fargate's maximum). */
  readonly stopTimeout?: Duration;
  readonly logRetention: logs.RetentionDays;
}

export interface FargateMailServiceProps extends SharedServiceProps {
  /** `smtp` or `mail-access`: the Service dimension of its metrics and the prefix of its logs. */
  readonly serviceName: string;
  /** Dockerfile path relative to projectRoot. */
  readonly dockerfile: string;
  /** dist/ subdirectories the image copies; everything else stays out of the build context. */
  readonly bundles: readonly string[];
  readonly ports: readonly ServicePort[];
}

export class FargateMailService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly ports: readonly ServicePort[];
  readonly logGroup: logs.LogGroup;
  /** Open sessions per task (core/log/metrics.ts): CPU alone misses thousands of idle IMAP sessions. */
  readonly connectionMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: FargateMailServiceProps) {
    super(scope, id);
    this.ports = props.ports;
    const firstPort = props.ports[0];
    if (firstPort === undefined) throw new Error(`${props.serviceName}: a service needs at least one port`);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const image = ecs.ContainerImage.fromAsset(props.projectRoot, {
      file: props.dockerfile,
      platform: ecrAssets.Platform.LINUX_ARM64,
      // The build context is the project root narrowed to the Dockerfile and its bundles.
      ignoreMode: IgnoreMode.DOCKER,
      exclude: ['**', ...props.bundles.map((bundle) => `!dist/${bundle}/**`), `!${props.dockerfile}`],
    });
    this.container = this.taskDefinition.addContainer('main', {
      image,
      essential: true,
      environment: { ...props.environment },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: props.serviceName }),
      portMappings: props.ports.map((port) => ({ name: port.name, containerPort: port.containerPort, protocol: ecs.Protocol.TCP })),
      // The image's own probe: connects with a PROXY v2 LOCAL header and expects the greeting.
      healthCheck: {
        command: ['CMD', '/nodejs/bin/node', '/app/health-probe/main.mjs', String(firstPort.containerPort)],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
      stopTimeout: props.stopTimeout ?? Duration.seconds(120),
      readonlyRootFilesystem: true,
    });
    this.taskDefinition.addVolume({ name: 'tmp' });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.minTasks ?? 1,
      vpcSubnets: props.subnets,
      assignPublicIp: props.assignPublicIp,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    this.connectionMetric = new cloudwatch.Metric({
      namespace: CONNECTION_METRIC.namespace,
      metricName: CONNECTION_METRIC.metricName,
      dimensionsMap: { [CONNECTION_METRIC.dimension]: props.serviceName },
      statistic: cloudwatch.Stats.AVERAGE,
      period: Duration.minutes(1),
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.minTasks ?? 1, maxCapacity: props.maxTasks ?? 10 });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: props.targetCpuPercent ?? 60,
      scaleOutCooldown: Duration.minutes(1),
      scaleInCooldown: Duration.minutes(10),
    });
    scaling.scaleToTrackCustomMetric('Connections', {
      metric: this.connectionMetric,
      targetValue: props.targetConnectionsPerTask ?? 1000,
      scaleOutCooldown: Duration.minutes(1),
      // Scaling in drops sessions (clients reconnect): do it slowly.
      scaleInCooldown: Duration.minutes(15),
    });

    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, which pulls the image, cannot be scoped to a resource (ECR authorization reference).',
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment carries only resource names, ARNs and ports; secrets are read from Secrets Manager at run time so certificates rotate without a restart.',
    });
  }
}
